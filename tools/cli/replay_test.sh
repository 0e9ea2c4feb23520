#!/usr/bin/env bash
exec python3 tools/cli/replay_test.py "$1"
