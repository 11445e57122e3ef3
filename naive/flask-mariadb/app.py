"""The Flask server again, on MariaDB through PyMySQL: what the same developer writes when the
data has to outlive the process. Debian's mariadb-server, its default character set and collation."""
import json
import os

import pymysql
from flask import Flask, g, jsonify, request

app = Flask(__name__)

# BOTS=bot-a:token-a,bot-b:token-b
BOTS = dict(pair.split(":", 1) for pair in os.environ.get("BOTS", "").split(",") if ":" in pair)


def connect():
    return pymysql.connect(
        unix_socket=os.environ.get("MYSQL_UNIX_SOCKET", "/run/mysqld/mysqld.sock"),
        user=os.environ.get("MYSQL_USER", "root"),
        password=os.environ.get("MYSQL_PASSWORD", ""),
        database=os.environ.get("MYSQL_DATABASE", "providers"),
    )


def get_db():
    if "db" not in g:
        g.db = connect()
    return g.db


@app.teardown_appcontext
def close_db(exc):
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_db():
    db = connect()
    with db.cursor() as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS providers ("
            " bot_id VARCHAR(255) NOT NULL, name VARCHAR(255) NOT NULL, type VARCHAR(32) NOT NULL,"
            " config JSON NOT NULL, PRIMARY KEY (bot_id, name))"
        )
    db.close()


def error(status, message, reason):
    return jsonify(message=message, reason=reason), status


@app.route("/whatsapp/v1/<bot_id>/provision/provider", methods=["GET", "POST", "DELETE"])
def provider(bot_id):
    token = BOTS.get(bot_id)
    if token is None or request.headers.get("Authorization") != f"Bearer {token}":
        return error(401, "Unauthorized", "invalid credentials for this bot")

    db = get_db()
    if request.method == "GET":
        with db.cursor() as cur:
            cur.execute("SELECT name, type, config FROM providers WHERE bot_id = %s", (bot_id,))
            rows = cur.fetchall()
        providers = [{"name": n, "type": t, "config": json.loads(c)} for n, t, c in rows]
        return jsonify(settings={"application": {"media": {"providers": providers}}})

    if request.method == "DELETE":
        with db.cursor() as cur:
            cur.execute("DELETE FROM providers WHERE bot_id = %s", (bot_id,))
        db.commit()
        return "", 200

    data = request.get_json()
    name, ptype, config = data.get("name"), data.get("type"), data.get("config")
    if not name or not ptype or not config:
        return error(400, "Bad request", "name, type and config are required")
    if ptype != "www":
        return error(400, "Bad request", "type must be www")
    if "basic" in config:
        basic = config["basic"]
        if not basic.get("username") or not basic.get("password"):
            return error(400, "Bad request", "basic needs username and password")
    elif "bearer" not in config:
        return error(400, "Bad request", "config needs basic or bearer")

    # Reusing a name overwrites the previous entry: the primary key makes this an upsert.
    with db.cursor() as cur:
        cur.execute(
            "INSERT INTO providers (bot_id, name, type, config) VALUES (%s, %s, %s, %s)"
            " ON DUPLICATE KEY UPDATE type = VALUES(type), config = VALUES(config)",
            (bot_id, name, ptype, json.dumps(config)),
        )
    db.commit()
    return "", 200


if __name__ == "__main__":
    init_db()
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "5000")))
