from emulator.services import Family

from .models import SshKeysBackend
from .routes import routes

FAMILY = Family("ssh_keys", routes, SshKeysBackend)
