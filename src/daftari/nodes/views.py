"""At the hub: the page of an entry mirrored from a station node's book (national search links to it)."""

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from daftari.core.errors import NotFound
from daftari.core.types import AuthenticatedRequest
from daftari.nodes import mirror


@login_required
@require_GET
def mirrored_entry(request: AuthenticatedRequest, pk: uuid.UUID) -> HttpResponse:
    try:
        view, proof = mirror.mirrored_entry_for(reader=request.user, entry_id=pk)
    except NotFound:
        raise Http404 from None
    return render(request, "nodes/mirrored_entry.html", {"view": view, "proof": proof})
