// Makes signature_vectors.json: X-Twilio-Signature test vectors computed by
// Twilio's own helper library, so tests/http checks our C++ against it.
//
// To regenerate (Node 18+; node_modules stays outside the repository):
//   mkdir -p /tmp/tw && cd /tmp/tw && npm init -y && npm install twilio
//   NODE_PATH=/tmp/tw/node_modules node tests/http/data/make_signature_vectors.js \
//     > tests/http/data/signature_vectors.json
//
// Each vector gives the URL Twilio signed, the raw form body, the signature
// from getExpectedTwilioSignature (body parsed with Node's querystring, which
// is how a form reaches twilio-node), and a list of (URL as the server saw it,
// signature header) pairs with validateRequest's answer.
"use strict";
const querystring = require("querystring");
const { getExpectedTwilioSignature, validateRequest } = require("twilio/lib/webhooks/webhooks");

const token = "12345";
const otherToken = "0123456789abcdef0123456789abcdef";

const cases = [
  {
    name: "twilio documentation example",
    token,
    url: "https://mycompany.com/myapp.php?foo=1&bar=2",
    body: "CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030&To=%2B18005551212",
  },
  {
    name: "no parameters",
    token: otherToken,
    url: "https://example.com/twilio/recording-status",
    body: "",
  },
  {
    name: "query string and recording callback",
    token: otherToken,
    url: "https://calls.example.com/twilio/recording-status?business=7&x=a%20b",
    body:
      "AccountSid=AC0123456789abcdef0123456789abcdef&CallSid=CA0123456789abcdef0123456789abcdef" +
      "&RecordingSid=RE0123456789abcdef0123456789abcdef&RecordingStatus=completed" +
      "&RecordingUrl=https%3A%2F%2Fapi.twilio.com%2F2010-04-01%2FAccounts%2FAC0123456789abcdef0123456789abcdef" +
      "%2FRecordings%2FRE0123456789abcdef0123456789abcdef&RecordingDuration=42&RecordingChannels=2",
  },
  {
    name: "explicit https default port",
    token: otherToken,
    url: "https://calls.example.com:443/twilio/voice",
    body: "CallSid=CA0123456789abcdef0123456789abcdef&From=%2B972501234567",
  },
  {
    name: "explicit non-default port",
    token: otherToken,
    url: "https://calls.example.com:8080/twilio/voice?a=1",
    body: "CallSid=CA0123456789abcdef0123456789abcdef&To=%2B97246000000",
  },
  {
    name: "plain http",
    token,
    url: "http://127.0.0.1:8080/twilio/call-status",
    body: "CallStatus=completed&CallSid=CA0123456789abcdef0123456789abcdef",
  },
  {
    name: "plain http without port",
    token,
    url: "http://calls.example.com/twilio/call-status",
    body: "CallStatus=completed",
  },
  {
    name: "UTF-8 values (Hebrew)",
    token: otherToken,
    url: "https://calls.example.com/twilio/voice",
    body:
      "CallerCity=" + encodeURIComponent("עפולה") + "&CallerCountry=IL&TranscriptionText=" +
      encodeURIComponent("שלום, אני צריך מנעולן בעפולה") + "&Emoji=" + encodeURIComponent("🔑 key"),
  },
  {
    name: "repeated keys",
    token: otherToken,
    url: "https://calls.example.com/twilio/voice",
    body: "b=2&a=z&a=y&a=%D7%90&c=&a=y",
  },
  {
    name: "empty values and a name without '='",
    token,
    url: "https://calls.example.com/twilio/voice",
    body: "Digits=&SpeechResult=&Flag&Caller=%2B1",
  },
  {
    name: "plus and percent characters",
    token,
    url: "https://calls.example.com/twilio/voice?q=100%25",
    body: "Msg=1+%2B+1+%3D+2&Pct=50%25&Amp=a%26b&Eq=x%3Dy",
  },
  {
    name: "names that differ in case",
    token,
    url: "https://calls.example.com/twilio/voice",
    body: "a=1&B=2&b=3&A=4&_=5",
  },
];

function variants(url) {
  // URLs a server may see for a webhook signed as `url`: as is, with the
  // default port added, with a port removed, with another port.
  const m = /^(https?):\/\/([^/:?#]+)(:\d+)?(.*)$/i.exec(url);
  const [, scheme, host, port, rest] = m;
  const def = scheme.toLowerCase() === "https" ? ":443" : ":80";
  return Array.from(
    new Set([
      url,
      `${scheme}://${host}${rest}`,
      `${scheme}://${host}${def}${rest}`,
      `${scheme}://${host}:9999${rest}`,
      `${scheme === "https" ? "http" : "https"}://${host}${port || ""}${rest}`,
    ])
  );
}

const vectors = cases.map((c) => {
  const params = querystring.parse(c.body);
  const signature = getExpectedTwilioSignature(c.token, c.url, params);
  const validate = [];
  for (const seen of variants(c.url)) {
    validate.push({ url: seen, signature, valid: validateRequest(c.token, signature, seen, params) });
  }
  const tampered = signature.slice(0, 5) + (signature[5] === "A" ? "B" : "A") + signature.slice(6);
  validate.push({ url: c.url, signature: tampered, valid: validateRequest(c.token, tampered, c.url, params) });
  validate.push({ url: c.url, signature: "", valid: validateRequest(c.token, "", c.url, params) });
  const wrongToken = getExpectedTwilioSignature(c.token + "x", c.url, params);
  validate.push({ url: c.url, signature: wrongToken, valid: validateRequest(c.token, wrongToken, c.url, params) });
  return { name: c.name, auth_token: c.token, url: c.url, body: c.body, signature, validate };
});

const version = require("twilio/package.json").version;
process.stdout.write(
  JSON.stringify({ generator: `twilio-node ${version} (tests/http/data/make_signature_vectors.js)`, vectors }, null, 2) +
    "\n"
);
