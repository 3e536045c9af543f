import path from 'node:path';
import { ConfigurationError } from '../../../src/errors';
import { readDataStorage, storageSecrets } from '../../../src/runtime/storage';
import { makeVolume } from '../../helpers/runtime-fixtures';

describe('readDataStorage (file_backend and the S3 values)', () => {
  const volumePath = path.join(makeVolume({}), 'nothing-here');
  const s3Env = {
    AWS_BUCKET_NAME: 'symphony-state',
    AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret-access-key-value',
  };

  it('is local without file_backend, or with another backend', () => {
    expect(readDataStorage({ env: {}, volumePath })).toEqual({ backend: 'local' });
    expect(readDataStorage({ env: { FILE_BACKEND: 'local' }, volumePath })).toEqual({ backend: 'local' });
  });

  it.each(['S3', 's3', ' S3 '])('reads the bucket when file_backend is %j (any case)', (backend) => {
    const storage = readDataStorage({ env: { ...s3Env, FILE_BACKEND: backend }, volumePath });
    expect(storage).toEqual({
      backend: 's3',
      bucket: 'symphony-state',
      prefix: undefined,
      region: 'us-east-1',
      endpoint: undefined,
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: 'secret-access-key-value',
      sessionToken: undefined,
      caCert: undefined,
      clientCert: undefined,
      clientKey: undefined,
    });
  });

  it('takes every value from its file first, sub_folder as the prefix', () => {
    const files = makeVolume({
      file_backend: 'S3',
      aws_bucket_name: 'from-file',
      aws_access_key_id: 'id',
      aws_secret_access_key: 'secret-from-file',
      aws_session_token: 'session-token-value',
      aws_default_region: 'eu-west-3',
      aws_s3_endpoint_url: 'https://s3.internal:9000',
      sub_folder: '/tenant-a/',
      ca_cert: '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n',
      client_key: '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n',
    });
    const storage = readDataStorage({ env: s3Env, volumePath: files });
    expect(storage).toMatchObject({
      bucket: 'from-file',
      prefix: 'tenant-a',
      region: 'eu-west-3',
      endpoint: 'https://s3.internal:9000',
      sessionToken: 'session-token-value',
    });
    expect(storageSecrets(storage)).toEqual([
      'secret-from-file',
      'session-token-value',
      '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----',
    ]);
  });

  it('names every missing value in one configuration error', () => {
    const read = () => readDataStorage({ env: { FILE_BACKEND: 'S3', AWS_ACCESS_KEY_ID: 'id' }, volumePath });
    expect(read).toThrow(ConfigurationError);
    expect(read).toThrow(/file_backend is S3 but the runtime gave no aws_bucket_name, aws_secret_access_key/);
  });
});
