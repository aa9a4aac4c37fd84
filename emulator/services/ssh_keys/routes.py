from emulator.core.crud import Collection
from emulator.core.routing import Routes

routes = Routes()
SSH_KEYS = Collection("ssh_keys", "/v2/account/keys", "ssh_key_identifier", "ssh_key", "ssh_keys", view=None,
                      put="update")
SSH_KEYS.register(routes)
