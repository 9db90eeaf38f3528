// Run once by compose.yaml's mongo-init service (mongosh): initiates the replica set "rs0" of mongo1, mongo2 and
// mongo3, then waits until it has a primary. Run again, it finds the set initiated and changes nothing.
const config = {
  _id: 'rs0',
  members: [
    { _id: 0, host: 'mongo1:27017' },
    { _id: 1, host: 'mongo2:27017' },
    { _id: 2, host: 'mongo3:27017' },
  ],
};

try {
  rs.status();
  print('replica set rs0: already initiated');
} catch (e) {
  if (e.codeName !== 'NotYetInitialized') throw e;
  rs.initiate(config);
  print('replica set rs0: initiated');
}

for (let i = 0; i < 120; i++) {
  try {
    const primary = rs.status().members.find((m) => m.stateStr === 'PRIMARY');
    if (primary) {
      print(`replica set rs0: primary is ${primary.name}`);
      quit(0);
    }
  } catch (_e) {
    // the set is still electing
  }
  sleep(1000);
}
print('replica set rs0: no primary after 120 s');
quit(1);
