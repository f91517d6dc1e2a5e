"""Signals other features subscribe to, so the core need not know them.

handing_over(sender=app, old=User, new=User): inside the hand-over transaction;
subscribers move their own open duties (review steps, messages, ...) from old to
new and return a short Chinese description of what they moved.
item_published / item_withdrawn(sender=app, item=Item, user=User)."""
from blinker import Namespace

_signals = Namespace()
handing_over = _signals.signal("handing-over")
item_published = _signals.signal("item-published")
item_withdrawn = _signals.signal("item-withdrawn")
# item_edited(sender=app, item=Item, user=User): a save that changed the item;
# the review engine restarts a running chain.
item_edited = _signals.signal("item-edited")
