"""A media-provider provisioning server as a Flask developer would write it from the vendor page:
Flask, sqlite3 from the standard library, one table with the config stored as JSON text."""
import json
import os
import sqlite3

from flask import Flask, g, jsonify, request

app = Flask(__name__)
DATABASE = os.environ.get("DATABASE", "providers.db")

# BOTS=bot-a:token-a,bot-b:token-b
BOTS = dict(pair.split(":", 1) for pair in os.environ.get("BOTS", "").split(",") if ":" in pair)


def get_db():
    if "db" not in g:
        g.db = sqlite3.connect(DATABASE)
    return g.db


@app.teardown_appcontext
def close_db(exc):
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_db():
    with sqlite3.connect(DATABASE) as db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS providers ("
            " bot_id TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, config TEXT NOT NULL,"
            " PRIMARY KEY (bot_id, name))"
        )


def error(status, message, reason):
    return jsonify(message=message, reason=reason), status


@app.route("/whatsapp/v1/<bot_id>/provision/provider", methods=["GET", "POST", "DELETE"])
def provider(bot_id):
    token = BOTS.get(bot_id)
    if token is None or request.headers.get("Authorization") != f"Bearer {token}":
        return error(401, "Unauthorized", "invalid credentials for this bot")

    db = get_db()
    if request.method == "GET":
        rows = db.execute("SELECT name, type, config FROM providers WHERE bot_id = ?", (bot_id,)).fetchall()
        providers = [{"name": n, "type": t, "config": json.loads(c)} for n, t, c in rows]
        return jsonify(settings={"application": {"media": {"providers": providers}}})

    if request.method == "DELETE":
        db.execute("DELETE FROM providers WHERE bot_id = ?", (bot_id,))
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
    db.execute(
        "INSERT OR REPLACE INTO providers (bot_id, name, type, config) VALUES (?, ?, ?, ?)",
        (bot_id, name, ptype, json.dumps(config)),
    )
    db.commit()
    return "", 200


if __name__ == "__main__":
    init_db()
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "5000")))
