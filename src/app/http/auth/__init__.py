"""Authentication and authorization: bearer JWTs from an OIDC issuer (or API Gateway's
authorizer claims on Lambda), the caller they identify, and the scopes routes declare."""
