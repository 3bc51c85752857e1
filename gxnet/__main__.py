"""Allow ``python -m gxnet``."""

from gxnet.cli import main

main()
