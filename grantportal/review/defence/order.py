"""The running order (出场顺序) of a defence day, drawn at random and replayable from the log, like the expert
draw (review/panels/draw.py; DESIGN.md §4 "the draw reproducible and logged").

``running_order(entrants, seed)`` sorts the entering applications' ids, shuffles them with
``random.Random(int(seed, 16))`` (Python's Mersenne Twister) and returns the order; it depends on nothing but
its arguments, so a logged ``DefenceDraw`` (seed, entrants) replays to its stored order (``replay``). The seed
comes from the operating system's secure source (``panels.draw.new_seed``)."""
import random


def running_order(entrants, seed):
    order = sorted(int(app_id) for app_id in entrants)
    random.Random(int(seed, 16)).shuffle(order)
    return order


def replay(draw):
    """(order recomputed from the draw's seed and entrants, whether it equals the stored order)."""
    order = running_order(draw.entrants, draw.seed)
    return order, order == [int(i) for i in draw.order]
