// The live subcommands of the cephwire CLI (`watch`, `notify`, `listwatchers`), defined in
// net/live_cli.cc. tools/cli/commands.h declares the same functions for tools/cli/main.cc.
#pragma once

#include <CLI/CLI.hpp>

namespace cephwire::cli {

void add_watch(CLI::App& app, int* rc);
void add_notify(CLI::App& app, int* rc);
void add_listwatchers(CLI::App& app, int* rc);

}  // namespace cephwire::cli
