/** The answer a customer gave with one of a message's postback buttons, shown where the buttons were. */
import type { AnsweredPostback } from '@confide/protocol';
import { Icon } from '../../components/icon';
import { clockTime } from '../../lib/time';

export function AnsweredButton({ answered }: { answered: AnsweredPostback }) {
  return (
    <p className="card-answer" data-testid="answered">
      <Icon name="check" size={16} />
      <span>
        You answered <strong>{answered.title}</strong>
      </span>
      <time dateTime={new Date(answered.answered_at).toISOString()}>{clockTime(answered.answered_at)}</time>
    </p>
  );
}
