#!/usr/bin/env bash
exec python3 tools/cli/cli_test.py "$1"
