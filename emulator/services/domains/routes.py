from emulator.core.crud import Collection
from emulator.core.routing import Routes
from emulator.core.state import public

routes = Routes()
DOMAINS = Collection("domains", "/v2/domains", "domain_name", "domain", "domains")
DOMAINS.register(routes)
RECORDS = Collection("domains", "/v2/domains/{domain_name}/records", "domain_record_id", "domain_record",
                     "domain_records", view=public, list="records",
                     filters={"type_filter": "type", "name_filter": "name"}, create="create_record",
                     get="get_record", put="update_record", patch="update_record", partial=True,
                     delete="delete_record")
RECORDS.register(routes)
