/** Names and places the demo draws from, so the log reads like a real organization's. */

export const FIRST_NAMES = [
  'Amara',
  'Bruno',
  'Chloé',
  'Dmitri',
  'Elif',
  'Farah',
  'Gustavo',
  'Hana',
  'Ibrahim',
  'Julia',
  'Kenji',
  'Lucía',
  'Mateo',
  'Nadia',
  'Oscar',
  'Priya',
  'Quentin',
  'Rosa',
  'Samuel',
  'Tariq',
  'Uma',
  'Viktor',
  'Wen',
  'Yara',
  'Zoe',
] as const;

export const LAST_NAMES = [
  'Almeida',
  'Becker',
  'Costa',
  'Dubois',
  'Eriksen',
  'Fischer',
  'García',
  'Huang',
  'Ivanova',
  'Jensen',
  'Kowalski',
  'Lambert',
  'Moreau',
  'Nakamura',
  'Okafor',
  'Petrov',
  'Quinn',
  'Rossi',
  'Silva',
  'Tanaka',
  'Umar',
  'Varga',
  'Weber',
] as const;

/** Where the demo's actors act from: documentation addresses (RFC 5737) and ordinary browsers. */
export const ORIGINS = [
  {
    ip: '203.0.113.10',
    userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  },
  {
    ip: '198.51.100.24',
    userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  },
  { ip: '192.0.2.77', userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0' },
] as const;

/** The people with known passwords the demo prints at the end, so a person can try each role. */
export const DEMO_ACCOUNTS = [
  { email: 'ava.admin@demo.attest.dev', name: 'Ava Martins', userType: 'admin', password: 'demo-admin-ava' },
  { email: 'omar.admin@demo.attest.dev', name: 'Omar Haddad', userType: 'admin', password: 'demo-admin-omar' },
  { email: 'sofia.standard@demo.attest.dev', name: 'Sofia Rossi', userType: 'standard', password: 'demo-standard-sofia' },
  { email: 'liam.standard@demo.attest.dev', name: 'Liam Chen', userType: 'standard', password: 'demo-standard-liam' },
] as const;
