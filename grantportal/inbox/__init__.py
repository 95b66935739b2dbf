"""The notification centre (站内消息): every signed-in user's inbox of the notices the domains record with
``core.notices.notify``, the unread count in the navigation, marking read, and the officers' daily digest."""
