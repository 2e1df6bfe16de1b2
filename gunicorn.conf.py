# Read by gunicorn when started from the project directory (docs/operations.md): the access
# log without document numbers and phones in query strings (docs/security.md).
logger_class = "shuangying.people.logfilters.GunicornLogger"
