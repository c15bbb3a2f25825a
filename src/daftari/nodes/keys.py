"""The node's own key (signs its pushes and checkpoints; the hub pins it) and the hub's witness key
(cosigns what it accepted). Both made on first use in DAFTARI_DATA_DIR, mode 0600, like the ledger's.
"""

from functools import cache

from daftari_verify import cosignature, note
from django.conf import settings

from daftari.ledger.keys import key_in_file


def node_key_name() -> str:
    return f"{settings.DAFTARI_LOG_ORIGIN}/node"


@cache
def node_signer() -> note.Signer:
    return note.Signer.parse(
        key_in_file(settings.DAFTARI_NODE_KEY_FILE, lambda: str(note.Signer.generate(node_key_name())))
    )


def hub_key_name() -> str:
    return f"{settings.DAFTARI_LOG_ORIGIN}/hub"


@cache
def hub_cosigner() -> cosignature.Cosigner:
    if settings.DAFTARI_HUB_WITNESS_KEY:
        return cosignature.Cosigner.parse(settings.DAFTARI_HUB_WITNESS_KEY)
    return cosignature.Cosigner.parse(
        key_in_file(settings.DAFTARI_HUB_WITNESS_KEY_FILE, lambda: str(cosignature.Cosigner.generate(hub_key_name())))
    )
