// A CLI with only the live subcommands (for the live tests while the full cephwire binary is
// assembled elsewhere): `cephwire_live watch|notify|listwatchers ...`.
#include <CLI/CLI.hpp>

#include "net/live_cli.h"

int main(int argc, char** argv) {
  CLI::App app{"cephwire live subcommands: watch, notify, listwatchers against a real cluster"};
  app.require_subcommand(1);
  int rc = 0;
  cephwire::cli::add_watch(app, &rc);
  cephwire::cli::add_notify(app, &rc);
  cephwire::cli::add_listwatchers(app, &rc);
  CLI11_PARSE(app, argc, argv);
  return rc;
}
