from emulator.core.crud import Collection
from emulator.core.routing import Request, Routes

routes = Routes()
CHECK = "/v2/uptime/checks/{check_id}"
CHECKS = Collection("uptime", "/v2/uptime/checks", "check_id", "check", "checks", list="list_checks",
                    create="create_check", get="get_check", put="update_check", delete="delete_check")
CHECKS.register(routes)
ALERTS = Collection("uptime", CHECK + "/alerts", "alert_id", "alert", "alerts", list="list_alerts",
                    create="create_alert", get="get_alert", put="update_alert", delete="delete_alert")
ALERTS.register(routes)


@routes.get(CHECK + "/state")
def uptime_get_check_state(req: Request):
    return {"state": req.backend("uptime").check_state(req.params["check_id"])}
