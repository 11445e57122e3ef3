// A media-provider provisioning server as an Express developer would write it from the vendor page:
// express.json() for every route, then the auth check, data in memory.
import express from 'express';

const port = Number(process.env.PORT ?? 3000);
// BOTS=bot-a:token-a,bot-b:token-b
const tokens = {};
for (const pair of (process.env.BOTS ?? '').split(',').filter((p) => p.includes(':'))) {
  const i = pair.indexOf(':');
  tokens[pair.slice(0, i)] = pair.slice(i + 1);
}
const providers = {}; // bot id -> [{ name, type, config }]

const app = express();
app.use(express.json());

const path = '/whatsapp/v1/:botId/provision/provider';

function auth(req, res, next) {
  const token = tokens[req.params.botId];
  if (!token || req.get('Authorization') !== `Bearer ${token}`) {
    return res.status(401).json({ message: 'Unauthorized', reason: 'invalid credentials for this bot' });
  }
  next();
}

app.get(path, auth, (req, res) => {
  res.json({ settings: { application: { media: { providers: providers[req.params.botId] ?? [] } } } });
});

app.post(path, auth, (req, res) => {
  const { name, type, config } = req.body;
  const bad = (reason) => res.status(400).json({ message: 'Bad request', reason });
  if (!name || !type || !config) return bad('name, type and config are required');
  if (type !== 'www') return bad('type must be www');
  if (config.basic) {
    if (!config.basic.username || !config.basic.password) return bad('basic needs username and password');
  } else if (!config.bearer) {
    return bad('config needs basic or bearer');
  }

  const list = (providers[req.params.botId] ??= []);
  const i = list.findIndex((p) => p.name === name);
  // Reusing a name overwrites the previous entry.
  if (i >= 0) list[i] = { name, type, config };
  else list.push({ name, type, config });
  res.sendStatus(200);
});

app.delete(path, auth, (req, res) => {
  delete providers[req.params.botId];
  res.sendStatus(200);
});

app.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`));
