from channels.generic.websocket import AsyncJsonWebsocketConsumer

from dashboard.live import group_name, topic_allowed


class LiveUpdatesConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        topic = self.scope["url_route"]["kwargs"]["topic"]
        if not topic_allowed(self.scope.get("user"), topic):
            await self.close(code=4403)
            return
        self.group = group_name(topic)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def live_event(self, message):
        await self.send_json({"event": message["event"], "payload": message["payload"]})
