"""gxnet: plan recycling networks on real road networks for Guangxi.

The package is organised by task (one concern per module), with the command line
(`gxnet.cli`) a thin shell over functions a notebook can call too.
"""

__version__ = "0.1.0"
