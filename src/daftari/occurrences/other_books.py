"""Entries of the books kept elsewhere: at the hub, the books of the station nodes (issues 12, 13).

The hub's figures count every station's crimes, those of node stations too. The Occurrence Book sits
below both the hub's mirror of the nodes' books and the figures, so neither may ask the other: the
mirror tells the book what arrived (``arrived``, in the transaction that indexes it, so an entry is
told once however often indexing runs), the figures listen (``on_arrival``), and a recount from
scratch reads every mirrored entry back (``every_entry``, from the source the mirror ``provide``s).

Each arrival is an original entry as its node recorded it, never saved here, with every correction
of it recorded so far, oldest first: what the figures need to place it as corrected.
"""

from collections.abc import Callable, Iterator

from daftari.occurrences.models import Occurrence

Arrival = tuple[Occurrence, list[Occurrence]]
Listener = Callable[[list[Arrival]], object]
Source = Callable[[], Iterator[Arrival]]

_listeners: list[Listener] = []
_sources: list[Source] = []


def on_arrival(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def provide(source: Source) -> None:
    if source not in _sources:
        _sources.append(source)


def arrived(arrivals: list[Arrival]) -> None:
    """Entries of another book, new or newly corrected, as each listener must see them now."""
    if arrivals:
        for listener in _listeners:
            listener(arrivals)


def every_entry() -> Iterator[Arrival]:
    """Every original entry of the other books, with its corrections."""
    for source in _sources:
        yield from source()
