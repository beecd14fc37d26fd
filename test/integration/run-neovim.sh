#!/usr/bin/env bash
# The integration tier runs every run-*.sh: the Neovim check lives in neovim.sh.
exec bash "$(dirname "$0")/neovim.sh"
