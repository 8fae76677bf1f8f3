from django import template

register = template.Library()


@register.filter
def offset_of(offsets, key):
    """The offset (seconds) a dict gives `key`, or None: `{{ offsets|offset_of:quote }}`."""
    return offsets.get(key) if offsets else None


@register.filter
def clock(seconds):
    """Seconds as m:ss (or h:mm:ss), as the player shows them."""
    seconds = int(seconds or 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
