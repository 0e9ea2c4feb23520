// The cephwire subcommands; each file adds one (or a family) to the CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

namespace cephwire::cli {

// Each returns the subcommand; the callback sets the process exit code in *rc.
void add_decode(CLI::App& app, int* rc);
void add_verify(CLI::App& app, int* rc);

}  // namespace cephwire::cli
