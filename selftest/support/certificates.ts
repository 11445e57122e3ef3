// Certificates made for one self-test run: a private CA, a server certificate it signed for
// 127.0.0.1, and client certificates for mutual TLS (PEM, an encrypted PEM key, PKCS#12).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { scratchDir } from './scratch.ts';

type Kind = 'ca' | 'server' | 'client';

interface Made {
  keys: forge.pki.rsa.KeyPair;
  cert: forge.pki.Certificate;
}

function make(subject: string, kind: Kind, serial: string, ca?: Made): Made {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial;
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const name = [{ name: 'commonName', value: subject }];
  cert.setSubject(name);
  cert.setIssuer(ca ? ca.cert.subject.attributes : name);
  cert.setExtensions(
    kind === 'ca'
      ? [
          { name: 'basicConstraints', cA: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true },
        ]
      : kind === 'server'
        ? [
            { name: 'basicConstraints', cA: false },
            { name: 'extKeyUsage', serverAuth: true },
            { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
          ]
        : [
            { name: 'basicConstraints', cA: false },
            { name: 'extKeyUsage', clientAuth: true },
          ],
  );
  cert.sign(ca?.keys.privateKey ?? keys.privateKey, forge.md.sha256.create());
  return { keys, cert };
}

const pemOf = (made: Made) => ({
  key: forge.pki.privateKeyToPem(made.keys.privateKey),
  cert: forge.pki.certificateToPem(made.cert),
});

/** A CA and a certificate it signed for 127.0.0.1, made for this test run only. */
export function privateCa(): { caFile: string; caPem: string; key: string; cert: string; authority: Made } {
  const ca = make('Conformance self-test CA', 'ca', '01');
  const leaf = make('127.0.0.1', 'server', '02', ca);
  const caPem = forge.pki.certificateToPem(ca.cert);
  const caFile = join(scratchDir('ca'), 'ca.pem');
  writeFileSync(caFile, caPem);
  return { caFile, caPem, ...pemOf(leaf), authority: ca };
}

/** A client certificate `ca` signed, in every form the suite takes: PEM files, an encrypted PEM key, PKCS#12. */
export function clientCertificate(
  authority: Made,
  passphrase: string,
): { certFile: string; keyFile: string; encryptedKeyFile: string; pfxFile: string } {
  const client = make('conformance-client', 'client', '03', authority);
  const dir = scratchDir('client-cert');
  const { cert, key } = pemOf(client);
  const files = {
    certFile: join(dir, 'client.pem'),
    keyFile: join(dir, 'client-key.pem'),
    encryptedKeyFile: join(dir, 'client-key-encrypted.pem'),
    pfxFile: join(dir, 'client.p12'),
  };
  writeFileSync(files.certFile, cert);
  writeFileSync(files.keyFile, key);
  writeFileSync(files.encryptedKeyFile, forge.pki.encryptRsaPrivateKey(client.keys.privateKey, passphrase));
  const p12 = forge.pkcs12.toPkcs12Asn1(client.keys.privateKey, [client.cert], passphrase, { algorithm: '3des' });
  writeFileSync(files.pfxFile, Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'));
  return files;
}
