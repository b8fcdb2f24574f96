"""AzureAISearchTool on the official azure-search-documents SDK, against a local HTTP server.

No Azure AI Search service (nor Azure OpenAI, for client-side embeddings) can be reached from these machines, so the
test starts an aiohttp server on 127.0.0.1 answering ``POST /indexes('NAME')/docs/search.post.search`` with the
documented search response (``value`` of documents with ``@search.score``), and the Azure OpenAI embeddings route.
The SDKs build and send every request; the server records what arrived.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from azure.core.credentials import AzureKeyCredential

from accord.core import CancellationToken, ComponentModel, load_component
from accord.errors import ComponentError, UsageError
from accord.tools.azure import AzureAISearchTool, SearchResults

pytestmark = pytest.mark.real_server

DOCS = [
    {"@search.score": 2.5, "id": "1", "title": "Harbour fog", "body": "Morning fog lifts slow"},
    {"@search.score": 1.25, "id": "2", "title": "Tides", "body": "The tide comes in"},
]


class FakeSearch:
    def __init__(self) -> None:
        self.searches: list[dict[str, Any]] = []
        self.embeddings: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.status = 200

    async def search(self, request: web.Request) -> web.Response:
        self.headers.append(dict(request.headers))
        self.searches.append({"path": request.path, "query": dict(request.query), "body": await request.json()})
        if self.status != 200:
            return web.json_response({"error": {"code": "Nope", "message": "index is gone"}}, status=self.status)
        return web.json_response({"value": DOCS})

    async def embed(self, request: web.Request) -> web.Response:
        self.embeddings.append(
            {"path": request.path, "body": await request.json(), "key": request.headers.get("api-key")}
        )
        data = [{"object": "embedding", "index": 0, "embedding": [0.1, 0.2, 0.3]}]
        usage = {"prompt_tokens": 2, "total_tokens": 2}
        return web.json_response({"object": "list", "data": data, "model": "emb", "usage": usage})


@pytest.fixture
async def service() -> AsyncIterator[tuple[str, FakeSearch]]:
    state = FakeSearch()
    app = web.Application()
    app.router.add_post("/indexes('notes')/docs/search.post.search", state.search)
    app.router.add_post("/openai/deployments/{model}/embeddings", state.embed)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}", state
    finally:
        await runner.cleanup()


async def test_full_text_search(service: tuple[str, FakeSearch]) -> None:
    endpoint, server = service
    tool = AzureAISearchTool.create_full_text_search(
        name="notes_search",
        endpoint=endpoint,
        index_name="notes",
        credential=AzureKeyCredential("search-key"),
        search_fields=["title", "body"],
        select_fields=["id", "title"],
        filter="year gt 2020",
        top=2,
    )
    result = await tool.run_json({"query": "fog"}, CancellationToken())
    assert isinstance(result, SearchResults)
    assert [r.content["id"] for r in result.results] == ["1", "2"]
    assert result.results[0].score == 2.5 and result.results[0].metadata["@search.score"] == 2.5
    assert set(result.results[0].content) == {"id", "title", "body"}
    (search,) = server.searches
    assert search["body"]["search"] == "fog" and search["body"]["queryType"] == "simple"
    assert search["body"]["searchFields"] == "title,body" and search["body"]["select"] == "id,title"
    assert search["body"]["filter"] == "year gt 2020" and search["body"]["top"] == 2
    assert server.headers[0]["api-key"] == "search-key"
    text = tool.return_value_as_string(result)
    assert text.startswith("Result 1 (Score: 2.50): id: 1, title: Harbour fog")
    assert tool.schema["parameters"]["required"] == ["query"] and tool.schema["strict"] is True
    await tool.close()


async def test_vector_search_with_client_side_embeddings(service: tuple[str, FakeSearch]) -> None:
    endpoint, server = service
    tool = AzureAISearchTool.create_vector_search(
        name="vec",
        endpoint=endpoint,
        index_name="notes",
        credential={"api_key": "search-key"},
        vector_fields=["embedding"],
        top=3,
        embedding_provider="azure_openai",
        embedding_model="text-embedding-3-small",
        openai_api_key="aoai-key",
        openai_endpoint=endpoint,
        openai_api_version="2024-10-21",
    )
    await tool.run_json({"query": "tide"}, CancellationToken())
    (embedding,) = server.embeddings
    assert embedding["path"] == "/openai/deployments/text-embedding-3-small/embeddings"
    assert embedding["key"] == "aoai-key" and embedding["body"]["input"] == "tide"
    body = server.searches[0]["body"]
    assert "search" not in body
    assert body["vectorQueries"] == [{"kind": "vector", "k": 3, "fields": "embedding", "vector": [0.1, 0.2, 0.3]}]
    await tool.close()


async def test_hybrid_search_lets_the_service_vectorize(service: tuple[str, FakeSearch]) -> None:
    endpoint, server = service
    tool = AzureAISearchTool.create_hybrid_search(
        name="hybrid",
        endpoint=endpoint,
        index_name="notes",
        credential=AzureKeyCredential("k"),
        vector_fields=["embedding"],
        search_fields=["body"],
        query_type="semantic",
        semantic_config_name="default",
        enable_caching=True,
    )
    first = await tool.run_json({"query": "fog"}, CancellationToken())
    again = await tool.run_json({"query": "fog"}, CancellationToken())
    assert first == again and len(server.searches) == 1  # the second answer came from the cache
    body = server.searches[0]["body"]
    assert body["queryType"] == "semantic" and body["semanticConfiguration"] == "default"
    assert body["vectorQueries"] == [{"kind": "text", "k": 5, "fields": "embedding", "text": "fog"}]
    await tool.close()


async def test_service_errors_name_the_problem(service: tuple[str, FakeSearch]) -> None:
    endpoint, server = service
    server.status = 404
    tool = AzureAISearchTool.create_full_text_search(
        name="s", endpoint=endpoint, index_name="notes", credential=AzureKeyCredential("k")
    )
    with pytest.raises(UsageError, match="Index 'notes' not found"):
        await tool.run("fog")
    with pytest.raises(UsageError, match="Search query cannot be empty"):
        await tool.run("  ")
    await tool.close()


def test_factory_validation() -> None:
    key = AzureKeyCredential("k")
    with pytest.raises(UsageError, match="vector_fields must contain at least one field name for vector search"):
        AzureAISearchTool.create_vector_search(
            name="v", endpoint="https://s.example", index_name="i", credential=key, vector_fields=[]
        )
    with pytest.raises(UsageError, match="search_fields must contain at least one field name for hybrid search"):
        AzureAISearchTool.create_hybrid_search(
            name="h",
            endpoint="https://s.example",
            index_name="i",
            credential=key,
            vector_fields=["v"],
            search_fields=[],
        )
    with pytest.raises(UsageError, match="semantic_config_name is required"):
        AzureAISearchTool.create_full_text_search(
            name="f", endpoint="https://s.example", index_name="i", credential=key, query_type="semantic"
        )
    with pytest.raises(UsageError, match="endpoint must be a valid URL"):
        AzureAISearchTool.create_full_text_search(name="f", endpoint="s.example", index_name="i", credential=key)
    with pytest.raises(TypeError, match="Credential must be"):
        AzureAISearchTool.create_full_text_search(
            name="f", endpoint="https://s.example", index_name="i", credential="k"
        )


async def test_config_masks_keys_and_refuses_ambient_identity(service: tuple[str, FakeSearch]) -> None:
    endpoint, server = service
    tool = AzureAISearchTool.create_vector_search(
        name="vec",
        endpoint=endpoint,
        index_name="notes",
        credential=AzureKeyCredential("search-key"),
        vector_fields=["embedding"],
        embedding_provider="azure_openai",
        embedding_model="emb",
        openai_api_key="aoai-key",
        openai_endpoint=endpoint,
    )
    dumped = tool.dump_component()
    assert dumped.provider == "autogen_ext.tools.azure.AzureAISearchTool"
    text = dumped.to_json()
    assert "search-key" not in text and "aoai-key" not in text
    loaded = load_component(ComponentModel.model_validate(json.loads(dumped.to_json(reveal_secrets=True))))
    assert isinstance(loaded, AzureAISearchTool)
    await loaded.run("tide")
    assert server.headers[0]["api-key"] == "search-key" and server.embeddings[0]["key"] == "aoai-key"
    await loaded.close()
    # a config without its own Azure OpenAI key would have accord fetch an Entra ID token for its endpoint
    data = json.loads(dumped.to_json(reveal_secrets=True))
    del data["config"]["openai_api_key"]
    with pytest.raises(ComponentError, match="must carry openai_api_key"):
        load_component(ComponentModel.model_validate(data))


def test_served_under_autogens_path() -> None:
    code = """
        import accord.compat.autogen
        from autogen_ext.tools.azure import (
            AzureAISearchConfig, AzureAISearchTool, BaseAzureAISearchTool, SearchQuery, SearchResult, SearchResults,
            VectorizableTextQuery,
        )
        import accord.tools.azure
        assert AzureAISearchTool is accord.tools.azure.AzureAISearchTool
        print("ok")
    """
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
