"""What serving Newsroom in production needs, whatever the feature: infrastructure.

The Redis cache backend that survives outages, the database-down page and the content
security policy, ``/healthz``, the read-replica router, admin login lockouts, uploads served
by the app, the site's public origin and the client address behind trusted proxies. Nothing
here imports a feature app or the project package.
"""
