// TypeScript's view of the OpenAPI components (the schemas themselves live only in openapi/).
export interface BasicCredentials {
  username: string;
  password: string;
}
export interface ProviderConfig {
  basic?: BasicCredentials;
  bearer?: string;
}
export interface Provider {
  name: string;
  type: 'www';
  config: ProviderConfig;
}
