from emulator.services import Family

from .models import CertificatesBackend
from .routes import routes

FAMILY = Family("certificates", routes, CertificatesBackend)
