/** The bank page's Messenger Profile: Get Started, greeting, ice breakers, persistent menu, log-in URL. */
import type { MessengerProfile } from '@confide/sdk';

export function bankMessengerProfile(linkUrl: string): MessengerProfile {
  return {
    get_started: { payload: 'GET_STARTED' },
    greeting: [{ locale: 'default', text: 'Sandbox Bank: balances, payment alerts and fraud checks. Demo data only.' }],
    ice_breakers: [
      { question: 'What is my balance?', payload: 'CMD:balance' },
      { question: 'How do I link my bank account?', payload: 'CMD:link' },
      { question: 'Can I talk to a person?', payload: 'CMD:agent' },
    ],
    persistent_menu: [
      {
        locale: 'default',
        composer_input_disabled: false,
        call_to_actions: [
          { type: 'postback', title: 'Balance', payload: 'CMD:balance' },
          { type: 'postback', title: 'Recent transactions', payload: 'CMD:transactions' },
          { type: 'postback', title: 'Lock / unlock a card', payload: 'CMD:cards' },
          { type: 'postback', title: 'Low-balance alert', payload: 'CMD:threshold' },
          { type: 'postback', title: 'Talk to an agent', payload: 'CMD:agent' },
          { type: 'postback', title: 'Link / unlink', payload: 'CMD:link_menu' },
        ],
      },
    ],
    account_linking_url: linkUrl,
  };
}
