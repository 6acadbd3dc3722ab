"""Text features: embeddings of each customer's recent support-ticket notes."""

import numpy as np
import pandas as pd
from sentence_transformers import SentenceTransformer
from sqlalchemy import create_engine, text

ENCODER_NAME = "sentence-transformers/all-MiniLM-L6-v2"
CRM_URL = "postgresql://churn_etl:Wq4vT9zLm2Rx@crm-replica.internal:5432/crm"


def load_ticket_notes(snapshot_date: str) -> pd.DataFrame:
    engine = create_engine(CRM_URL)
    query = text(
        "SELECT customer_id, body FROM ticket_notes "
        "WHERE created_at < :snapshot AND created_at >= :snapshot - interval '90 days'"
    )
    with engine.connect() as conn:
        return pd.read_sql(query, conn, params={"snapshot": snapshot_date})


def embed_notes(notes: pd.DataFrame) -> pd.DataFrame:
    encoder = SentenceTransformer(ENCODER_NAME)
    per_customer = notes.groupby("customer_id")["body"].apply(" ".join)
    vectors = encoder.encode(per_customer.tolist(), normalize_embeddings=True)
    columns = [f"note_emb_{i}" for i in range(vectors.shape[1])]
    return pd.DataFrame(np.asarray(vectors), index=per_customer.index, columns=columns).reset_index()
