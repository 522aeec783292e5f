"""The web service: the people's side of BDHVS, server-rendered, through the other services' APIs."""
