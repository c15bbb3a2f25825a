"""The link's state in the desk header on a node, and refused nodes in a banner at the hub.

Local reads only: with the hub away the page still renders, and says how long it has been away.
"""

from django.http import HttpRequest

from daftari.nodes import queries
from daftari.stations.models import scope_of
from daftari.stations.rules import is_alerted_to_node_refusals, sees_link_state


def link(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_of(user)
    state = queries.link_state()
    if state is not None and sees_link_state(scope, station_code=state.station):
        return {"hub_link": state}
    if is_alerted_to_node_refusals(scope):
        refused = queries.halted_nodes()
        if refused:
            return {"refused_nodes": refused}
    return {}
