"""Benchmark reference: the least a FastAPI-on-Lambda app can be (one route, Mangum)."""

from fastapi import FastAPI
from mangum import Mangum

app = FastAPI()


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


handler = Mangum(app, lifespan="off")
