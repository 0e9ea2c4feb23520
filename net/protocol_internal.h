// Internal to //net: the two protocol implementations behind make_connection().
#pragma once

#include <memory>

#include "net/interceptor.h"
#include "net/protocol.h"

namespace cephwire::net {

std::unique_ptr<Connection> make_msgr1_connection(ConnConfig cfg);
std::unique_ptr<Connection> make_msgr2_connection(ConnConfig cfg);

}  // namespace cephwire::net
