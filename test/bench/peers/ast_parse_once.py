"""Peer of the lens scanner in lenses.bench.mjs, as a process per edit would run: start, read the file, parse it once.
Usage: python3 ast_parse_once.py FILE.py
"""
import ast, sys
ast.parse(open(sys.argv[1]).read())
