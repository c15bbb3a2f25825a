"""Run as a station node with its own SQLite database: apply each feed in turn, print what the node holds.

``python -m tests.hubfeed.node_apply FEEDS.json`` with DAFTARI_DATA_DIR set to the node's own directory
(already migrated). FEEDS.json is ``{"key": hub verifier key, "station": code, "feeds": [payload, ...]}``.
One JSON line per feed: the result, and the node's tables after it.
"""

import json
import sys
from pathlib import Path

import django


def main(path: str) -> None:
    django.setup()
    from django.contrib.auth.models import User

    from daftari.alerts.models import Alert, AlertWithdrawal
    from daftari.custody.models import GazettedHoliday
    from daftari.hubfeed.apply import apply_feed, hub_data_as_of, last_verified
    from daftari.hubfeed.models import VerifiedHubData
    from daftari.stations.models import Station

    given = json.loads(Path(path).read_text())
    for payload in given["feeds"]:
        result = apply_feed(payload, given["key"], last_verified(), station_code=given["station"])
        as_of = hub_data_as_of()
        state = {
            "ok": result.ok,
            "failed_check": result.failed_check,
            "message": result.message,
            "applied": result.applied,
            "verified": list(VerifiedHubData.objects.values_list("size", flat=True)),
            "hub_data_as_of": as_of.isoformat() if as_of else None,
            "stations": sorted(Station.objects.values_list("code", flat=True)),
            "users": {
                u.username: {"password": u.password, "active": u.is_active, "station": u.officer.station.code}
                for u in User.objects.select_related("officer__station").filter(officer__isnull=False)
            },
            "alerts": sorted(str(a) for a in Alert.objects.values_list("pk", flat=True)),
            "alert_names": sorted(Alert.objects.values_list("name", flat=True)),
            "withdrawn": sorted(str(a) for a in AlertWithdrawal.objects.values_list("alert_id", flat=True)),
            "holidays": [str(d) for d in GazettedHoliday.objects.values_list("date", flat=True)],
        }
        # An officer of the station signs in at the node with the password they have at the hub.
        for username, password in given.get("sign_in", {}).items():
            user = User.objects.filter(username=username).first()
            state.setdefault("signs_in", {})[username] = bool(user and user.is_active and user.check_password(password))
        print(json.dumps(state), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
