"""Daily Spark job: score the customer snapshot with the registered churn model."""

import sys

import mlflow
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

MODEL_VERSION = "23"
MODEL_URI = f"models:/churn/{MODEL_VERSION}"


def main(snapshot_date: str) -> None:
    spark = SparkSession.builder.appName("score-churn").getOrCreate()
    customers = spark.read.parquet(f"s3://lake/customers/snapshot_date={snapshot_date}/")
    # ok: MLR305
    predict = mlflow.pyfunc.spark_udf(spark, MODEL_URI, result_type="double")
    scored = customers.withColumn("churn_probability", predict(*[F.col(c) for c in customers.columns]))
    scored = scored.withColumn("model_version", F.lit(MODEL_VERSION))
    # ok: MLR401
    scored.select("customer_id", "churn_probability", "model_version").write.mode("overwrite").parquet(
        f"s3://scores/churn/snapshot_date={snapshot_date}/"
    )


def main_unversioned(snapshot_date: str) -> None:
    spark = SparkSession.builder.appName("score-churn-legacy").getOrCreate()
    customers = spark.read.parquet(f"s3://lake/customers/snapshot_date={snapshot_date}/")
    # ruleid: MLR305
    predict = mlflow.pyfunc.spark_udf(spark, "models:/churn/Production", result_type="double")
    scored = customers.withColumn("churn_probability", predict(*[F.col(c) for c in customers.columns]))
    # ruleid: MLR401
    scored.select("customer_id", "churn_probability").write.mode("overwrite").parquet(
        f"s3://scores/churn-legacy/snapshot_date={snapshot_date}/"
    )


if __name__ == "__main__":
    main(sys.argv[1])
