"""Django views of the seller portal: price suggestions from the pricing model."""

import logging

import joblib
from django.http import JsonResponse
from django.views.decorators.http import require_POST
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

logger = logging.getLogger(__name__)
PRICING_VERSION = "pricing-2024-03-02"
# ruleid: MLR301
pricing = joblib.load(f"/srv/models/{PRICING_VERSION}/pricing.joblib")


class ListingSerializer(serializers.Serializer):
    category = serializers.CharField(max_length=64)
    condition = serializers.ChoiceField(choices=["new", "used", "refurbished"])
    original_price = serializers.FloatField(min_value=0)


@api_view(["POST"])
def suggest_price(request):
    serializer = ListingSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    listing = serializer.validated_data
    # ok: MLR402
    price = float(pricing.predict([[listing["original_price"], listing["condition"] == "new"]])[0])
    # ok: MLR401
    return Response({"suggested_price": round(price, 2), "model_version": PRICING_VERSION})


@require_POST
def suggest_price_legacy(request):
    data = request.POST
    # ruleid: MLR402
    price = float(pricing.predict([[float(data["original_price"]), data["condition"] == "new"]])[0])
    # ruleid: MLR304, MLR401
    logger.info("legacy suggestion for seller %s: %.2f", data.get("seller_email"), price)
    # ruleid: MLR401
    return JsonResponse({"suggested_price": round(price, 2)})
