#!/usr/bin/env python3
"""Executes a notebook top to bottom (as CI does) and fails on the first error.

usage: run_notebook.py NOTEBOOK [OUT_DIR]   (OUT_DIR is passed as TAMLIL_OUT)
"""
import os, sys
import nbformat
from nbclient import NotebookClient

path = sys.argv[1]
if len(sys.argv) > 2:
    os.environ["TAMLIL_OUT"] = os.path.abspath(sys.argv[2])
nb = nbformat.read(path, as_version=4)
NotebookClient(nb, timeout=600, kernel_name="python3",
               resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}}).execute()
print(f"{path}: {len(nb.cells)} cells executed without error")
