// Internal to //net: the two protocol implementations behind make_connection().
#pragma once

#include <memory>

#include "net/interceptor.h"
#include "net/protocol.h"

namespace cephwire::net {

std::unique_ptr<Connection> make_msgr1_connection(ConnConfig cfg);
std::unique_ptr<Connection> make_msgr2_connection(ConnConfig cfg);

// The shared item handed to the fault layer for one incoming frame. `spare` is the previous
// one: when nobody else holds it any more (no delay rule kept it) it is reused, so a steady
// stream of replies allocates no item per frame.
template <class ItemT>
std::shared_ptr<ItemT> reuse_item(std::shared_ptr<ItemT>& spare, ItemT&& item) {
  if (spare && spare.use_count() == 1) {
    *spare = std::move(item);
    return spare;
  }
  spare = std::make_shared<ItemT>(std::move(item));
  return spare;
}

}  // namespace cephwire::net
