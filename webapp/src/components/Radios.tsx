// A labelled group of radio buttons, one per choice (the settings pages' on/off and level choices).
import type {ReactNode} from 'react';

export type Choice = {value: string; label: string};

export function Radios({legend, name, value, choices, onChange, disabled, hint}: {
    legend: ReactNode; name: string; value: string; choices: Choice[]; onChange: (v: string) => void;
    disabled?: boolean; hint?: ReactNode;
}) {
    const hintId = hint ? `${name}-hint` : undefined;
    return (
        <fieldset className='radio-group' aria-describedby={hintId}>
            <legend className='field__label'>{legend}</legend>
            {choices.map((c) => (
                <label key={c.value} className='radio'>
                    <input type='radio' name={name} value={c.value} checked={value === c.value} disabled={disabled}
                        onChange={() => onChange(c.value)}/>{c.label}
                </label>
            ))}
            {hint && <span className='field__hint' id={hintId}>{hint}</span>}
        </fieldset>
    );
}
