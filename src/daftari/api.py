from ninja import NinjaAPI

api = NinjaAPI(title="Daftari API", version="1", urls_namespace="api")
