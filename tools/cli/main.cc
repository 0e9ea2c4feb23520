// cephwire: decode, verify, check and replay Ceph watch/notify traffic.
#include <CLI/CLI.hpp>

#include "tools/cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "cephwire: strict decoder, verifier and conformance checker for Ceph (16.2.x) watch/notify "
      "traffic over msgr v1 and v2 (crc mode)."};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Every subcommand's options");
  int rc = 0;
  cephwire::cli::add_decode(app, &rc);
  cephwire::cli::add_verify(app, &rc);
  cephwire::cli::add_watch(app, &rc);
  cephwire::cli::add_notify(app, &rc);
  cephwire::cli::add_listwatchers(app, &rc);
  CLI11_PARSE(app, argc, argv);
  return rc;
}
