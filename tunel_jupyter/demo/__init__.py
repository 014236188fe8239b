"""The one-command demo (``tunel-globus demo``) and the Binder start logic.

Both run the local Globus sandbox and point JupyterLab, its kernels and the command
line at it, so the whole product can be tried without a Globus account.
"""

from __future__ import annotations
