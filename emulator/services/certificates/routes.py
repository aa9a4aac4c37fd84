from emulator.core.crud import Collection
from emulator.core.routing import Routes

routes = Routes()
CERTIFICATES = Collection("certificates", "/v2/certificates", "certificate_id", "certificate", "certificates",
                          filters={"name": "name"})
CERTIFICATES.register(routes)
