from promotion.promote import calibration_ok


def test_calibration_gate_rejects_high_brier():
    # ok: MLR501
    assert not calibration_ok({"brier": 0.5})
