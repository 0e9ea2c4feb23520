// The cephwire subcommands; each file adds one (or a family) to the CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

namespace cephwire::cli {

// Each returns the subcommand; the callback sets the process exit code in *rc.
void add_decode(CLI::App& app, int* rc);
void add_verify(CLI::App& app, int* rc);
// The conformance catalog over captures (check.cc, //conformance:checker).
void add_check(CLI::App& app, int* rc);
// The catalog with reports and expected results (conformance.cc).
void add_conformance(CLI::App& app, int* rc);
// tools/cli/replay.cc: replay recorded librados clients through the watch core.
void add_replay(CLI::App& app, int* rc);
// The live client (net/live_cli.cc, target //net:live_cli): watch / notify / listwatchers.
void add_watch(CLI::App& app, int* rc);
void add_notify(CLI::App& app, int* rc);
void add_listwatchers(CLI::App& app, int* rc);

}  // namespace cephwire::cli
