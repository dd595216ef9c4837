"""Tillit's settings: one module per concern, every value from the environment.

See README.md ("Configuration") for the variables.
"""

from .base import *  # noqa: F401,F403
from .paths import *  # noqa: F401,F403
from .security import *  # noqa: F401,F403
from .database import *  # noqa: F401,F403
from .email import *  # noqa: F401,F403
from .tillit import *  # noqa: F401,F403
from .jobs import *  # noqa: F401,F403
