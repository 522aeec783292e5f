"""`make demo`: a living demo province, two years of reporting through the real pipeline.

`profiles` (how each unit's figures grow), `plan` (what is filed, when, with which key: pure and
seeded), `clerks` (their tokens), `guard` (never over real data), `sms_gateway` (loopback SMS),
`submit` (the HTTP calls), `runner` (the order of it all), `tour` (where to look).
"""
